#!/usr/bin/env node
// Committed so package managers can link the bin before `dist` is built; the command is in dist.
import '../dist/bin.js';
