#!/usr/bin/env python3
"""`perf script` of the service -> CPU share by the nearest managed frame's assembly (leaf first), the thread pool's idle spin split out,
then the top managed methods (their own time and the native/kernel time below them). bench/README.md "CPU trimming".
    perf-buckets.py PERF_SCRIPT_OUTPUT [TOP_METHODS]"""
import sys, re, collections
asm_re = re.compile(r'\[([A-Za-z0-9_.]+)\]\s')
buckets = collections.Counter(); methods = collections.Counter(); kernel_in = collections.Counter(); total = 0
def short(sym):
    sym = re.sub(r'\(perf-\d+\.map\)|\[OptimizedTier1\w*\]|\[Optimized\]|\[Tier\w*\]|\[QuickJitted\]|\[Instrumented\w*\]', '', sym)
    sym = re.sub(r'^(instance |static )?', '', sym)
    sym = re.sub(r'^(class |valuetype )?\S+\s+', '', sym, count=1) if ' [' in sym else sym
    m = re.search(r'\[([A-Za-z0-9_.]+)\]\s*(.*)', sym)
    s = (m.group(1) + ' ' + m.group(2)) if m else sym
    s = re.sub(r'\(.*', '', s)
    return s[:140]
def account(frames):
    global total
    total += 1
    joined = '\n'.join(frames)
    if 'LowLevelLifoSemaphore::Wait' in joined:
        buckets['threadpool idle spin / wait'] += 1; return
    kern = 0
    for f in frames:
        if 'kernel.kallsyms' in f or 'libc.so' in f or 'libcoreclr' in f or 'ld-linux' in f or 'libcrypto' in f or 'libSystem' in f or 'vdso' in f:
            kern += 1; continue
        m = asm_re.search(f)
        if m:
            a = m.group(1)
            buckets[a] += 1
            methods[short(f)] += 1
            if kern: kernel_in[a] += 1
            return
    leaf = frames[0] if frames else '?'
    buckets['native only: ' + ('kernel' if 'kallsyms' in leaf else leaf.split('(')[-1].rstrip(')'))] += 1
cur = []
for line in open(sys.argv[1], errors='replace'):
    if not line.strip() or line[0] not in ' \t':
        if cur: account(cur)
        cur = []; continue
    parts = line.strip().split(None, 1)
    if len(parts) == 2: cur.append(parts[1])
if cur: account(cur)
print(f"samples {total}")
for b, c in buckets.most_common(25): print(f"{100*c/total:6.2f}%  {b}" + (f"   (of which native/kernel below: {100*kernel_in[b]/total:.2f}%)" if kernel_in[b] else ''))
print("-- methods (nearest managed frame) --")
for m, c in methods.most_common(int(sys.argv[2]) if len(sys.argv) > 2 else 40): print(f"{100*c/total:6.2f}%  {m}")
