"""Learned and Bayesian pCFG guidance for the SyGuS enumerator (issue #6, part 5).

* ``splits``: the deterministic train/dev split of the benchmark files (hash of the path);
* ``features``: problem features and production descriptions, solution usage labels;
* ``harvest``: teacher solutions (cvc5) for train-split files, as JSONL;
* ``train``: the torch model fitted on them, exported as JSON weights with a sha256;
* ``proposer``: ``LearnedProposer`` and ``BayesProposer`` (pyro Beta posterior), both
  implementing ``reasoner.interfaces.RuleProposer``; inference needs numpy only.

    python -m neural.sygus harvest --per-track 40 --timeout 5 --jobs 2 --out harvest.jsonl
    python -m neural.sygus train harvest.jsonl
"""
