"""Tools on configs and run directories: describe, evaluate, benchmark, diagnose_sdlm, figures."""
