# What notebook 05's text says, checked on the numbers the notebook computed (run by tests/test_notebooks.py
# as one more cell at the end of the notebook, in its namespace).

# section 4: MiniLM's row "sits at the bottom of the table" on CMRC 2018
if "all-MiniLM-L6-v2" in c_runs:
    assert ranked.idxmin() == "all-MiniLM-L6-v2", "the text says MiniLM is last on CMRC"
print("notebook 05: every claim of its text holds")
