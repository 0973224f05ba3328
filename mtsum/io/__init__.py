"""Files in and out, each job written once: ``inputs`` (reading, decoding), ``html``
(main-text extraction), ``discover`` (input files in a folder), ``atomic`` (whole-file
writes), ``lock`` (one run per output), ``names`` (names as shown, unique output
names), ``signals`` (a stop waits for a commit). Depends on ``errors`` alone;
``runs``, ``digest``, ``batch`` and the translation cache build on it."""
