"""The village PMI register (UU 18/2017 Pasal 42 huruf b and d) with UU 27/2022 safeguards."""
