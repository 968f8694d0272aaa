from dbos import DBOS

from .pricing import price


@DBOS.workflow()
def checkout(order_id: str) -> float:
    return price(order_id)
