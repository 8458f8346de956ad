"""The "Desa PMI Prosedural" checklist: frameworks as data, assessments, verification, scores."""
