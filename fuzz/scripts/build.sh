#!/usr/bin/env bash
# Builds the fuzz targets into fuzz/out/bin and instruments the engine's assemblies for afl++ (SharpFuzz).
# Usage: fuzz/scripts/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=out/bin
rm -rf "$out"
dotnet build Switchboard.Fuzz -c Release -o "$out" --nologo -v q
dotnet tool restore > /dev/null
# Coverage is reported from the code under test only: telephony (SIP, SDP, RTP, DTMF), the channels (webhooks), the grains (PII) and the dialog library (bot loader).
for assembly in Telephony.dll Channels.dll Grains.dll Dialog.dll; do
  dotnet tool run sharpfuzz "$out/$assembly"
done
echo "instrumented: $out"
