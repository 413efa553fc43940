"""A database filled by ``seed_demo`` at the previous layout, and the code that makes, restores and compares it.

See README.md in this folder.
"""
