"""Stochastic diagonal Levenberg-Marquardt (Appendix C), its curvature, and the optimizers."""
