import datetime

from dbos import DBOS


@DBOS.workflow()
def stamp() -> str:
    return datetime.datetime.now().isoformat()
