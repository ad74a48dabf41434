"""Helpers shared by the test suite: key factories, real servers, git repositories."""
