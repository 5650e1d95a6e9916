#!/usr/bin/env bash
# Branch coverage of the SIP parser (Telephony/Sip/SipParser.cs) by the SIP corpus in the repository:
# replays fuzz/corpora/sip through the sip target under coverlet and reads the parser's branch rate from the Cobertura report.
# Usage: fuzz/scripts/sip-coverage.sh [--lines]   (--lines: list the parser lines with branches not taken)
set -euo pipefail
cd "$(dirname "$0")/../.."
results=$(mktemp -d)
dotnet build tests/Fuzz.Tests --nologo -v q > /dev/null
dotnet test tests/Fuzz.Tests --no-build --nologo \
  --filter "FullyQualifiedName~CorpusReplayTests.Every_corpus_file_replays_without_a_crash&DisplayName~sip" \
  --collect:"XPlat Code Coverage" --results-directory "$results" \
  -- DataCollectionRunSettings.DataCollectors.DataCollector.Configuration.Include="[Telephony]Switchboard.Telephony.Sip.*" > /dev/null
report=$(find "$results" -name coverage.cobertura.xml | head -1)
python3 - "$report" ${1:+--lines} <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
covered = total = 0
for cls in root.iter('class'):
    if not cls.get('filename', '').endswith('SipParser.cs'): continue
    for line in cls.iter('line'):
        cond = line.get('condition-coverage')  # e.g. "75% (3/4)"
        if line.get('branch') == 'True' and cond:
            c, t = cond.split('(')[1].rstrip(')').split('/')
            covered += int(c); total += int(t)
    if len(sys.argv) > 2:
        for line in cls.iter('line'):
            cond = line.get('condition-coverage')
            if line.get('branch') == 'True' and cond and not cond.startswith('100%'):
                print(f"  line {line.get('number')}: {cond}")
print(f"SipParser.cs branch coverage: {covered}/{total} = {100.0 * covered / max(1, total):.1f} %")
PY
rm -rf "$results"
