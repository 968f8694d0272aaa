import time

from dbos import DBOS


@DBOS.workflow()
def stamp() -> float:
    return time.time()
