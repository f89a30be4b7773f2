"""Learned and Bayesian pCFG guidance for the SyGuS enumerator (issue #6, part 5).

* ``splits``: the deterministic train/dev split of the benchmark files (hash of the path);
* ``features``: problem features and production descriptions, solution usage labels;
* ``harvest``: teacher solutions (cvc5) for train-split files, as JSONL;
* ``train``: the torch model fitted on them, exported as JSON weights with a sha256;
* ``model``: the weights and their numpy forward pass (solving needs no torch);
* ``proposer``: ``LearnedProposer`` and ``BayesProposer`` (pyro Beta posterior), both
  implementing ``symbolic.sygus.pcfg.RuleProposer``, conditioned on the problem in ``prepare``.

Reproduce (the shipped weights were fitted on the committed harvest; a new harvest differs a
little, since which files cvc5 solves within the limit depends on the machine's load):

    python -m neural.sygus harvest --per-track 100 --timeout 5 --jobs 2 --out harvest.jsonl
    python -m neural.sygus train neural/weights/sygus_guidance.harvest.jsonl.gz
    python bench/sygus_guidance.py --per-track 15 --timeout 10 --jobs 2 --json dev.json
"""
