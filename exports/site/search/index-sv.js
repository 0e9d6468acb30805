(window.kgSearchData=window.kgSearchData||{})["lang:sv"]=[["back office",0,0],["CPA:er",2,1],["front office",3,1],["hyresavtal",4,1],["middle office",5,1]];
