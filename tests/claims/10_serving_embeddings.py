# What notebook 10's text says, checked on the numbers the notebook computed (run by tests/test_notebooks.py
# as one more cell at the end of the notebook, in its namespace).

# section 1b: every bad request gets a 4xx with a message, never a 5xx
assert ((contract["status"] >= 400) & (contract["status"] < 500)).all(), contract
assert contract["message"].str.len().gt(10).all()

# section 2: every client gets the in-process vectors
assert parity_ok, parity_table
if SECOND_MODEL:
    assert cos.min() < 0.999, "the text says e5's vectors differ without the prompt"

# section 3: our service loses no request and mixes none up
assert ours_lost == 0, ours_lost
assert mixups == 0, mixups
# "with many clients ... batching on ... throughput grows with concurrency"; batching off stays where it was
top = max(CONCURRENCY)
if top >= 16:
    assert on[top] > off[top], (on[top], off[top])
    assert on[top] > on[min(CONCURRENCY)], (on[top], on[min(CONCURRENCY)])

# section 5: every server this notebook started is stopped
assert not alive
print("notebook 10: every claim of its text holds")
