"""Differential privacy by sampling and generalization (SafePub): its parameters and its sampling."""
