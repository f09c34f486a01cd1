# What notebook 04's text says, checked on the numbers the notebook computed (run by tests/test_notebooks.py
# as one more cell at the end of the notebook, in its namespace).

# (rows of the cross-lingual table: 0 the translation, 2 the unrelated control; later cells reuse the name `labels`)
# "compare the translation row with the control rows ... even e5's unrelated control scores above 0.5"
assert crosslingual["multilingual-e5-small"].iloc[0] > crosslingual["multilingual-e5-small"].iloc[2] > 0.5
# "MiniLM: the translation is no closer than the unrelated sentence"
assert crosslingual["all-MiniLM-L6-v2"].iloc[0] <= crosslingual["all-MiniLM-L6-v2"].iloc[2]
# LlamaIndex section: "the query is nothing but [UNK]"; e5 puts the translation pair close, MiniLM near zero
assert set(unk[query]) == {"[UNK]"}
assert pair["e5"] > 0.7 and abs(pair["all-MiniLM-L6-v2"]) < 0.2
# summary: "cutting dimensions of a non-Matryoshka model costs recall"
for name in DIM_MODELS:
    trunc = dims_table[(dims_table.model == name) & (dims_table.method == "truncate")].set_index("dim")["recall@10"]
    assert trunc.loc[min(DIMS)] < trunc.loc[trunc.index.max()], name
# key points: "here [e5's prompts] shifted every score; the order did not change"
order = lambda col: list(li_table[col].sort_values(ascending=False).index)
assert order("as in the article (no prompts)") == order("e5 with its prompts")
# the analogy text: MiniLM knows at most a character or two of the Chinese words
assert all(sum(t != "[UNK]" for t in st.tokenizer.tokenize(w)) <= 2 for w in ["国王", "男人", "女人", "女王", "王后"])
print("notebook 04: every claim of its text holds")
