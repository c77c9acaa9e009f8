#!/usr/bin/env python3
"""Soak driver for scripts/soak.sh: a mixed, partly hostile workload against a running `gannet serve`, with the
server's memory, KV usage and error counts sampled over time.

Workers (default 32), each looping over a weighted mix of:
  stream    streaming completion, read to the end
  chat      non-streaming chat completion
  abort     streaming request closed after the first few bytes (client disconnect)
  slow      streaming request read a few bytes a second for a while, then closed (slow reader)
  bad       a malformed or refused request (invalid JSON, trailing data, duplicate keys, bad ranges, unknown
            fields asking for unsupported features, a prompt longer than the context): must be a 4xx
  huge      a large body (~3 MB prompt): must be a 400 quickly
Every SAMPLE seconds: RSS of the server process (/proc), Java heap used after a full GC (jcmd GC.run +
GC.heap_info), KV usage and waiting/running from /metrics, and the counts of responses by class (2xx/4xx/5xx,
connection errors). Writes CSV rows to stdout and a summary to stderr. Standard library only.
"""
import argparse
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time

lock = threading.Lock()
counts = {"2xx": 0, "4xx": 0, "5xx": 0, "conn_err": 0, "unexpected": 0}
kinds = {}


def bump(key, kind=None):
    with lock:
        counts[key] = counts.get(key, 0) + 1
        if kind:
            kinds[kind] = kinds.get(kind, 0) + 1


def post(host, port, path, body, timeout=300):
    c = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        c.request("POST", path, body=body, headers={"content-type": "application/json"})
        r = c.getresponse()
        data = r.read()
        return r.status, data
    finally:
        c.close()


def classify(status):
    return "2xx" if status < 300 else "4xx" if status < 500 else "5xx"


def raw_stream(host, port, body, reader):
    """Sends a streaming request on a raw socket; reader(sock) decides how to read and when to close."""
    s = socket.create_connection((host, port), timeout=60)
    try:
        data = json.dumps(body).encode()
        s.sendall(b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  + b"Content-Length: " + str(len(data)).encode() + b"\r\n\r\n" + data)
        reader(s)
    finally:
        s.close()


def worker(args, rnd, stop):
    host, port = args.host, args.port
    words = "once upon a time there was a little fox who ran to the park and saw a big red ball".split()
    while not stop.is_set():
        kind = rnd.choices(["stream", "chat", "abort", "slow", "bad", "huge"], weights=[30, 15, 15, 10, 25, 5])[0]
        prompt = " ".join(rnd.choice(words) for _ in range(rnd.randint(4, 60)))
        try:
            if kind == "stream":
                body = json.dumps({"prompt": prompt, "max_tokens": rnd.randint(8, 64), "stream": True,
                                   "temperature": 0.8, "seed": rnd.randint(0, 1 << 30)})
                status, data = post(host, port, "/v1/completions", body)
                bump(classify(status), kind)
                if status == 200 and not data.strip().endswith(b"[DONE]"):
                    bump("unexpected", "stream-unterminated")
            elif kind == "chat":
                body = json.dumps({"messages": [{"role": "user", "content": prompt}], "max_tokens": rnd.randint(4, 32),
                                   "n": rnd.choice([1, 1, 2])})
                status, _ = post(host, port, "/v1/chat/completions", body)
                bump(classify(status), kind)
            elif kind == "abort":
                def read_a_little(s):
                    s.recv(256)
                raw_stream(host, port, {"prompt": prompt, "max_tokens": 200, "stream": True, "ignore_eos": True},
                           read_a_little)
                bump("2xx", kind)
            elif kind == "slow":
                def read_slowly(s):
                    end = time.time() + rnd.uniform(2, 20)
                    while time.time() < end and not stop.is_set():
                        if not s.recv(16):
                            break
                        time.sleep(1)
                raw_stream(host, port, {"prompt": prompt, "max_tokens": 2000, "stream": True, "ignore_eos": True},
                           read_slowly)
                bump("2xx", kind)
            elif kind == "bad":
                bodies = ['{"prompt":', '{"prompt":"x"} trailing', '{"prompt":"x","prompt":"y"}',
                          '{"prompt":"x","temperature":9}', '{"prompt":"x","top_p":0}',
                          '{"prompt":"x","response_format":{"type":"sound"}}', '{"prompt":"x","tools":[{}]}',
                          '{"prompt":"x","n":100000}', '{"prompt":"x","stop":["' + "s" * 2000 + '"]}',
                          '{"messages":[{"role":"user","content":"hi"}],"min_tokens":5000}',
                          '{"prompt":"' + "word " * 5000 + '"}', '[1,2,3]']
                status, _ = post(host, port, "/v1/completions", rnd.choice(bodies))
                bump(classify(status), kind)
                if status < 400 or status >= 500:
                    bump("unexpected", "bad-not-4xx")
            elif kind == "huge":
                status, _ = post(host, port, "/v1/completions",
                                 json.dumps({"prompt": "lorem ipsum " * 250_000, "max_tokens": 4}))
                bump(classify(status), kind)
                if status not in (400, 413, 429):
                    bump("unexpected", "huge-not-refused")
        except (OSError, http.client.HTTPException):
            bump("conn_err", kind)


def heap_after_gc(pid):
    try:
        subprocess.run(["jcmd", str(pid), "GC.run"], capture_output=True, timeout=60)
        out = subprocess.run(["jcmd", str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=60).stdout
        used = re.findall(r"total \d+K, used (\d+)K", out)  # every generation (young, old), not metaspace
        return sum(int(u) for u in used) // 1024 if used else -1
    except (OSError, subprocess.SubprocessError):
        return -1


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return -1


def metrics(host, port):
    try:
        c = http.client.HTTPConnection(host, port, timeout=30)
        c.request("GET", "/metrics")
        text = c.getresponse().read().decode()
        c.close()
    except (OSError, http.client.HTTPException):
        return {}
    out = {}
    for name in ["kv_cache_usage_perc", "num_requests_running", "num_requests_waiting"]:
        m = re.search(r"^gannet:" + name + r"\{[^}]*\} ([0-9.eE+-]+)", text, re.M)
        out[name] = float(m.group(1)) if m else -1
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--minutes", type=float, default=30)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--sample", type=int, default=60)
    args = p.parse_args()
    stop = threading.Event()
    threads = [threading.Thread(target=worker, args=(args, random.Random(i), stop), daemon=True)
               for i in range(args.concurrency)]
    for t in threads:
        t.start()
    print("minute,rss_mb,heap_after_gc_mb,kv_usage,running,waiting,ok_2xx,refused_4xx,errors_5xx,conn_errors,unexpected",
          flush=True)
    start = time.time()
    rows = []
    while time.time() - start < args.minutes * 60:
        time.sleep(args.sample)
        m = metrics(args.host, args.port)
        with lock:
            c = dict(counts)
        row = [round((time.time() - start) / 60, 1), rss_mb(args.pid), heap_after_gc(args.pid),
               m.get("kv_cache_usage_perc", -1), m.get("num_requests_running", -1), m.get("num_requests_waiting", -1),
               c["2xx"], c["4xx"], c["5xx"], c["conn_err"], c["unexpected"]]
        rows.append(row)
        print(",".join(str(x) for x in row), flush=True)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    time.sleep(5)
    final = metrics(args.host, args.port)
    with lock:
        print(f"soak: {args.minutes} min, concurrency {args.concurrency}; responses {counts}; by kind {kinds}; "
              f"after the load: KV usage {final.get('kv_cache_usage_perc')}, running {final.get('num_requests_running')}, "
              f"waiting {final.get('num_requests_waiting')}; heap after GC first/last "
              f"{rows[0][2] if rows else '-'}/{heap_after_gc(args.pid)} MB; RSS first/last "
              f"{rows[0][1] if rows else '-'}/{rss_mb(args.pid)} MB", file=sys.stderr)
    return 0 if counts["5xx"] == 0 and counts["unexpected"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
