import random
import time

from dbos import DBOS


@DBOS.workflow()
def nightly() -> float:
    time.sleep(5)
    return random.random()
