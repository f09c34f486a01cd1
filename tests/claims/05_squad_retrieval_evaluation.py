# What notebook 05's text says, checked on the numbers the notebook computed (run by tests/test_notebooks.py
# as one more cell at the end of the notebook, in its namespace).

# section 4: MiniLM's row "sits at the bottom of the table" on CMRC 2018
if "all-MiniLM-L6-v2" in c_runs:
    assert ranked.idxmin() == "all-MiniLM-L6-v2", "the text says MiniLM is last on CMRC"
# section 4: "e5 and BM25 both find the right paragraph for almost every question" (the ceiling)
for name in ("BM25 (jieba words)", "multilingual-e5-small"):
    assert c_results.loc[name, "recall@1"] >= 0.95, f"{name} is not at the ceiling on paragraphs: the text says it is"

# section 4b
for name in s_runs:   # "every system finds fewer right sentences than right paragraphs"
    assert scores[name, "sentence", "recall@1"].mean() < scores[name, "paragraph", "recall@1"].mean(), name
assert {best, second} == {"BM25 (jieba words)", "multilingual-e5-small"}, "the text's 'two best systems' are e5 and BM25"
for name in (best, second):   # "for the two best systems most wrong top-1 sentences are another sentence of the right paragraph"
    same, wrong, also_answer = wrong_from_gold_paragraph[name]
    assert same > wrong / 2, f"{name}: only {same} of {wrong} wrong sentences come from the right paragraph"
assert neighbour_miss is not None, "the text says a neighbour miss is printed"
# "A few of those neighbours hold an answer text too"
assert all(0 < also_answer < same / 2 for same, _, also_answer in (wrong_from_gold_paragraph[n] for n in (best, second)))
# "On paragraphs the two best systems are not told apart ... On sentences nDCG@10 tells them apart, while recall@1
# leaves a wider interval"
assert not told_apart["paragraph", "recall@1"] and not told_apart["paragraph", "nDCG@10"]
assert told_apart["sentence", "nDCG@10"]
widths = {m: np.ptp(bootstrap_ci(scores[best, "sentence", m] - scores[second, "sentence", m])) for m in ("recall@1", "nDCG@10")}
assert widths["recall@1"] > widths["nDCG@10"], widths
print("notebook 05: every claim of its text holds")
