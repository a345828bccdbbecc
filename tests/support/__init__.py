"""Test support shared by every suite: a live server process, SDK virtualenvs, payload loading."""
