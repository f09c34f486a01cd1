# What notebook 05's text says, checked on the numbers the notebook computed (run by tests/test_notebooks.py
# as one more cell at the end of the notebook, in its namespace). The defaults are what these claims describe.
MINILM, E5, BM25_ZH = "all-MiniLM-L6-v2", "multilingual-e5-small", "BM25 (jieba words)"
assert {MINILM, E5, BM25_ZH} <= set(c_runs), f"the text discusses MiniLM, e5 and BM25 on CMRC; ran {sorted(c_runs)}"
assert {E5, BM25_ZH} <= set(s_runs), f"section 4b's text discusses e5 and BM25; ran {sorted(s_runs)}"

# section 4: "When most of a text becomes the same [UNK] piece" ... MiniLM's "row sits at the bottom of the table above"
assert unk > 0.5, f"only {unk:.0%} of MiniLM's pieces of CMRC paragraphs are [UNK]: the text says most"
assert c_results.index[-1] == MINILM, f"the last row of the CMRC table is {c_results.index[-1]}, not MiniLM"
# "e5 and BM25 both find the right paragraph for almost every question" (the ceiling)
for name in (BM25_ZH, E5):
    assert c_results.loc[name, "recall@1"] >= 0.95, f"{name} is not at the ceiling on paragraphs: the text says it is"

# section 4b: "every system finds fewer right sentences than right paragraphs, so the sentence test is off the ceiling"
for name in s_runs:
    assert scores[name, "sentence", "recall@1"].mean() < scores[name, "paragraph", "recall@1"].mean() - 0.15, name
    assert scores[name, "sentence", "recall@1"].mean() <= 0.85, f"{name}: the sentence test is near the ceiling too"
for name in s_runs:   # "[the wrong sentences come] mostly from the right paragraph"
    same, wrong, also_answer = wrong_from_gold_paragraph[name]
    assert same > wrong / 2, f"{name}: only {same} of {wrong} wrong sentences come from the right paragraph"
    assert also_answer > 0, f"{name}: the text says some wrong sentences hold an answer text too"
# "in the miss printed last, the wrong sentence shares more words with the question than the right one"
assert overlap_miss is not None
assert shared(overlap_miss, s_runs[dense][overlap_miss][0]) > shared(overlap_miss, gold_sentence[overlap_miss])
# "in the paragraph test e5 never reads the end of the longest paragraphs, and in the sentence test it reads every sentence whole"
assert reads["paragraphs cut"] > 0 and reads["longest sentence"] <= reads["limit"], reads

verdict = pairs.set_index(["model", "task", "metric"]).loc[E5]
gap = {}
for metric in ("recall@1", "nDCG@10"):
    para, sent = verdict.loc[("find the paragraph", metric)], verdict.loc[("find the sentence", metric)]
    # "On paragraphs the differences are a fraction of a point"
    assert abs(para["difference"]) < 0.01, f"paragraph {metric}: {para['difference']:+.3f} is not a fraction of a point"
    # "On sentences e5 is ahead of BM25 on both metrics, and in this run both differences are told apart"
    assert sent["difference"] > 0 and sent["told apart"], f"sentence {metric}: {sent.to_dict()}"
    gap[metric] = sent["difference"]
    # "the two systems' own sentence intervals overlap, yet the paired interval excludes 0"
    (lo_e5, hi_e5), (lo_bm, hi_bm) = (bootstrap_ci(scores[n, "sentence", metric]) for n in (E5, BM25_ZH))
    assert lo_e5 < hi_bm and lo_bm < hi_e5, f"sentence {metric}: the two systems' own intervals do not overlap"
# "nDCG@10 ... its interval is narrower" than recall@1's
width = {m: verdict.loc[("find the sentence", m), "95% high"] - verdict.loc[("find the sentence", m), "95% low"]
         for m in ("recall@1", "nDCG@10")}
assert width["nDCG@10"] < width["recall@1"], width
# "The bound printed on each line (counting all of them as right) is of the same size as the gap between the systems"
bound = max(wrong_from_gold_paragraph[n][2] for n in (E5, BM25_ZH)) / len(s_qids)
assert gap["recall@1"] / 3 <= bound <= 3 * gap["recall@1"], (bound, gap)
print("notebook 05: every claim of its text holds")
