import uuid

from dbos import DBOS


@DBOS.workflow()
def place_order(item: str) -> str:
    order_id = str(uuid.uuid4())
    return f"{order_id}:{item}"
