"""Errors of the all-in-one stack, each worded for the person who ran it."""

from __future__ import annotations


class StackError(RuntimeError):
    """The stack could not start or keep running; the message says what and where to look."""


class NotReady(StackError):
    """A child did not become ready in time, or gave up; `name` says which."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
