"""Logistic-regression heads on embeddings, temperature-calibrated, stored without pickle.

- ``fit``: ``fit_classifier`` trains scikit-learn's class-balanced ``LogisticRegression`` (one
  multinomial model for binary / multiclass, one binary model per class for multilabel), then
  fits a single temperature ``T`` on out-of-fold logits.
- ``trained``: ``TrainedClassifier`` keeps only the arrays and plain JSON the prediction needs,
  so an artifact is an ``.npz`` file that loads with ``allow_pickle=False``: a model file can
  never execute code.
"""
