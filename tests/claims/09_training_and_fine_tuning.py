# What notebook 09's text says, checked on the numbers the notebook computed (run by tests/test_notebooks.py
# as one more cell at the end of the notebook, in its namespace).
import collections
import math
import re

# section 1: "a random model's loss is about ln(vocabulary size)"
for lang in mlm_table.index:
    v = tokenizers_[lang].vocab_size
    assert abs(mlm_table.loc[lang, "held-out loss, random weights"] - math.log(v)) < 0.5, (lang, v)
    # the loss curve goes down: training did something
    assert mlm_table.loc[lang, "held-out loss, trained"] < mlm_table.loc[lang, "held-out loss, random weights"] - 1
# section 1 / key points: with the default MLM_STEPS the trained loss has not gone below the unigram baseline, and
# every probe gets the same guesses (the frequency stage)
if MLM_STEPS <= 100:
    for lang in mlm_table.index:
        assert mlm_table.loc[lang, "held-out loss, trained"] > mlm_table.loc[lang, "held-out loss, unigram frequencies"] - 0.05
    after = pd.DataFrame(guesses)["after training"].map(lambda s: tuple(re.findall(r"(\S+) \(\d\.\d\d\)", s)))
    assert all(len(guess) == 3 for guess in after), after
    for lang, rows in (("en", after.iloc[:3]), ("zh", after.iloc[3:])):   # frequent tokens, whatever the probe
        frequency = collections.Counter(t for text in corpora[lang][:20000] for t in tokenizers_[lang].tokenize(text))
        most_frequent = {t for t, _ in frequency.most_common(50)}
        assert all(t in most_frequent for guess in rows for t in guess), (lang, rows)
# section 1: the trained tiny model's vectors crowd together (unrelated sentences closer than with random weights)
crowd = sts_table["mean cosine of unrelated sentences"]
random_row = next(i for i in crowd.index if "random weights" in i)
# section 1 / key points: masked-LM-only vectors score far below contrastively trained MiniLM on STS-B
spearmans = sts_table["Spearman"]
minilm_row = next(i for i in spearmans.index if i.startswith("all-MiniLM"))
tiny_row = next(i for i in spearmans.index if i.startswith("tiny BERT after"))
assert spearmans[minilm_row] - spearmans[tiny_row] > 0.2, spearmans
assert crowd[tiny_row] > crowd[random_row], crowd
# "Here the random-weights row even scores higher than the trained one"
assert spearmans[random_row] > spearmans[tiny_row], spearmans
# section 2 / key points: a lower temperature concentrates the gradient on the hardest negative
assert curve["share on the hardest negative"].iloc[0] > curve["share on the hardest negative"].iloc[-1]
# section 2: where the positive ranks first, a low temperature makes the loss small and a high one keeps it near ln(n)
right = curve["loss, positive ranked first"]
assert ranked_first.any() and right.iloc[0] < right.iloc[-1] / 4, right
assert abs(right.iloc[-1] - math.log(n_candidates)) < 1.0, (right.iloc[-1], n_candidates)
# ... and where a negative outranks the positive, the loss grows as the temperature falls
if (~ranked_first).any():
    wrong = curve["loss, a negative ranked above the positive"]
    assert wrong.iloc[0] > wrong.iloc[-1], wrong
# section 3b: hard negatives make each step harder (the training losses are higher)
assert np.mean(hn_losses) > np.mean(en_losses), (np.mean(hn_losses), np.mean(en_losses))
print("notebook 09: every claim of its text holds")
# section 3: the test claims were never seen in training; CMRC trial and dev share no paragraph
assert not set(train_all.query_ids) & set(scifact_test.queries)
assert not shared, f"{len(shared)} CMRC trial paragraphs are also in dev"
print("notebook 09: the train/test separation the text states holds")
# section 3b: the in-batch losses of 3a are small next to ln(BATCH_SIZE)
assert np.mean(en_losses) < 0.25 * math.log(BATCH_SIZE), (np.mean(en_losses), BATCH_SIZE)
