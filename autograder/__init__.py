"""Grading configuration and tooling for the course (instructors only; not part of the
``dlcourse`` package that students install)."""
