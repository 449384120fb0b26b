#!/usr/bin/env node
import '../src/cli/ctl/main.ts'
