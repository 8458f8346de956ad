"""Adoption tracker: the law-making steps of a Perdes, deadlines, evidence, registers."""
