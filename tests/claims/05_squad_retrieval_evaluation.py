# What notebook 05's text says, checked on the numbers the notebook computed (run by tests/test_notebooks.py
# as one more cell at the end of the notebook, in its namespace).

# section 4: "When most of a text becomes the same [UNK] piece" ... MiniLM's row "sits at the bottom of the table"
assert unk > 0.5, f"only {unk:.0%} of MiniLM's pieces of CMRC paragraphs are [UNK]: the text says most"
if "all-MiniLM-L6-v2" in c_runs:
    assert ranked.idxmin() == "all-MiniLM-L6-v2", "the text says MiniLM is last on CMRC"
# "e5 and BM25 both find the right paragraph for almost every question" (the ceiling)
for name in ("BM25 (jieba words)", "multilingual-e5-small"):
    if name in c_results.index:
        assert c_results.loc[name, "recall@1"] >= 0.95, f"{name} is not at the ceiling on paragraphs: the text says it is"

# section 4b
e5 = "multilingual-e5-small"
for name in s_runs:   # "every system finds fewer right sentences than right paragraphs, so the sentence test is off the ceiling"
    if (name, "paragraph", "recall@1") in scores:
        assert scores[name, "sentence", "recall@1"].mean() < scores[name, "paragraph", "recall@1"].mean(), name
    assert scores[name, "sentence", "recall@1"].mean() <= 0.85, f"{name}: the sentence test is near the ceiling too"
for name in s_runs:   # "[the wrong sentences come] mostly from the right paragraph"
    same, wrong, also_answer = wrong_from_gold_paragraph[name]
    assert same > wrong / 2, f"{name}: only {same} of {wrong} wrong sentences come from the right paragraph"
    # "A few of those wrong sentences hold an answer text too"
    assert 0 < also_answer < same / 4, f"{name}: {also_answer} of {same} hold an answer text: not 'a few'"
assert subjectless_miss is not None, "the text refers to a printed miss"
if e5 in s_runs:
    verdict = pairs.set_index(["model", "task", "metric"]).loc[e5]
    for metric in ("recall@1", "nDCG@10"):
        para, sent = verdict.loc[("find the paragraph", metric)], verdict.loc[("find the sentence", metric)]
        # "On paragraphs the differences are about a point"
        assert abs(para["difference"]) <= 0.02, f"paragraph {metric} difference {para['difference']:+.3f}: not about a point"
        # "On sentences e5's lead over BM25 is larger and, in this run, told apart"
        assert sent["difference"] > max(0, abs(para["difference"])), metric
        assert sent["told apart"], f"e5 vs BM25 on sentences, {metric}: not told apart, but the text says it is"
    # "nDCG@10 ... its interval is narrower" than recall@1's
    width = {m: verdict.loc[("find the sentence", m), "95% high"] - verdict.loc[("find the sentence", m), "95% low"]
             for m in ("recall@1", "nDCG@10")}
    assert width["nDCG@10"] < width["recall@1"], width
print("notebook 05: every claim of its text holds")
