#!/bin/sh
# The transaction scenarios against their manifest: regenerate them into a
# temporary folder (the generator must reproduce the committed captures byte
# for byte), then let pcaps/make-scenarios.py --check run the analyzer and
# tshark on each and compare health, exit code and verdicts with the MANIFEST.
set -u
cd "$(dirname "$0")/../.."
command -v tshark >/dev/null || { echo "skipped: tshark is not installed"; exit 77; }
/usr/bin/python3 -c 'import scapy' 2>/dev/null || { echo "skipped: python3-scapy is not installed"; exit 77; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
/usr/bin/python3 pcaps/make-scenarios.py --check "$t" || exit 1
fail=0
for f in pcaps/scenarios/*.pcap; do
	cmp -s "$f" "$t/$(basename "$f")" || { echo "FAIL $f: the generator no longer reproduces it"; fail=1; }
done
cmp -s pcaps/scenarios/MANIFEST "$t/MANIFEST" || { echo "FAIL pcaps/scenarios/MANIFEST differs from the generator's"; fail=1; }
exit $fail
