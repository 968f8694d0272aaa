def price(order_id: str) -> float:
    return len(order_id) * 1.5
