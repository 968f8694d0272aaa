import random
import time


def jitter(seconds: float) -> float:
    time.sleep(seconds)
    return random.random()
