#!/usr/bin/env node
// Committed so package managers can link the bin before `dist` is built; the CLI itself is in dist.
import '../dist/bin.js';
