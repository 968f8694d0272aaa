from dbos import DBOS


@DBOS.step()
def fetch() -> int:
    return 1


@DBOS.workflow()
def work() -> int:
    return fetch()
