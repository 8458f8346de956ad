"""The village PMI register: persons, migration episodes and the UU 27/2022 safeguards."""
