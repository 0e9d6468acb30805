(window.kgSearchData=window.kgSearchData||{})["keywords"]=[["Brokers","brokers",1],["Investing","investing",1],["Stock Brokers","stock-brokers",1]];
