#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Unit tests of posix_diff.py's parsing and judging (suite posix-selftest):
the case file, the Linux guest's markers, hoitaja's lines on Kide and the
comparison, on made-up logs, so the Kide side is checked before the POSIX
runtime can boot a real one."""
import io
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import posix_diff as pd  # noqa: E402


def cases_from(text):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(text)
    try:
        return pd.parse_cases(f.name)
    finally:
        os.unlink(f.name)


class Cases(unittest.TestCase):
    def test_repository_cases_parse(self):
        cs = pd.parse_cases(os.path.join(pd.HERE, "cases.txt"))
        self.assertGreaterEqual(len(cs), 20)
        awk = next(c for c in cs if c.name == "bb-awk")
        self.assertEqual(awk.argv[:2], ["busybox", "awk"])
        self.assertEqual(awk.argv[2], "{ s += $1 } END { print s, NR }")
        cat = next(c for c in cs if c.name == "bb-cat-stdin")
        self.assertEqual(cat.modules(), ["words.txt"])

    def test_errors_name_the_line(self):
        bad = {"Bad -- x": "case name",
               "a -- x\na -- y": "defined twice",
               "a": "no program",
               "a colour=red -- x": "keys are",
               "a data=nope.txt -- x": "not a file",
               "a ram=lots -- x": "ram",
               "a expect=maybe -- x": "expect=",
               "a -- x 'open": "quote"}
        for text, want in bad.items():
            with self.assertRaises(pd.CaseError, msg=text) as e:
                cases_from(text + "\n")
            self.assertIn(want, str(e.exception))
            self.assertRegex(str(e.exception), r"\.txt:[12]: ")


class Linux(unittest.TestCase):
    def test_markers(self):
        log = ("Linux noise\r\n@case a begin\r\n@| one\r\n@|\r\n@| two  \r\n@status exit 3\r\n"
               "@case a end\r\n@case b begin\r\n@status signal 11\r\n@error chroot: x\r\n"
               "@case b end\r\n@| stray\r\n")
        r = pd.parse_linux_log(log)
        self.assertEqual(r["a"]["out"], ["one", "", "two"])
        self.assertEqual(r["a"]["status"], "exit 3")
        self.assertEqual(r["b"]["status"], "signal SIGSEGV")
        self.assertEqual(r["b"]["notes"], ["chroot: x"])

    def test_expectations(self):
        cs = cases_from("a expect=exit:0 -- x\nb expect=signal:SIGABRT -- x\nc -- x\n")
        res = {"a": {"out": ["hi"], "status": "exit 0"},
               "b": {"out": ["hi"], "status": "exit 134"},
               "c": {"out": [], "status": "exit 0"}}
        with redirect_stdout(io.StringIO()) as out:
            self.assertEqual(pd.judge_linux(cs, res), (1, 2))
        self.assertIn("FAIL b: ended with exit 134", out.getvalue())
        self.assertIn("FAIL c: no output", out.getvalue())


class Kide(unittest.TestCase):
    def test_child_end(self):
        e = pd.child_end
        self.assertEqual(e("[init] child a: exited with code 0", "a"), "exit 0")
        self.assertEqual(e("[init] child a: exited with code 134 (signal 6 SIGABRT)", "a"),
                         "signal SIGABRT")
        self.assertEqual(e("[init] child a: exited with code 139, signal 11", "a"),
                         "signal SIGSEGV")
        self.assertEqual(e("[init] child a: faulted: page fault at 0x0 (ip 0x401000)", "a"),
                         "signal SIGSEGV")
        self.assertEqual(e("[init] report: child a: exited 42 ram 0/1 caps", "a"), "exit 42")
        self.assertIsNone(e("[init] child a: started", "a"))
        self.assertIsNone(e("[init] child ab: exited with code 0", "a"))
        self.assertIsNone(e("[a] exited with code 0", "a"))

    LOG = ["[init] child a: started", "[init] child b: started", "[a] hello",
           "[b] posix: unsupported system call 999 (ENOSYS)", "[b] world",
           "[init] child b: exited with code 0", "[a]", "[a] bye",
           "[init] child a: faulted: page fault at 0x0 (ip 0x1)"]

    def test_ended_when_every_child_ended(self):
        holds = pd.kide_ended(["a", "b"])
        self.assertIsNone(holds(self.LOG[:6]))
        self.assertIsNone(holds(self.LOG[:-1]))
        # no report needed after the last end: a rate-limited one may never be whole
        self.assertEqual(holds(self.LOG), "ended")
        self.assertEqual(holds(["kide: panic: x"]), "panic")

    def test_log_split_by_label(self):
        cs = cases_from("a -- x\nb -- x\nc -- x\n")
        r = pd.parse_kide_log(self.LOG, cs)
        self.assertEqual(r["a"]["out"], ["hello", "", "bye"])
        self.assertEqual(r["a"]["status"], "signal SIGSEGV")
        self.assertEqual(r["b"]["out"], ["world"])
        self.assertEqual(r["b"]["notes"], ["posix: unsupported system call 999 (ENOSYS)"])
        self.assertTrue(r["c"]["status"].startswith("missing"))

    def test_compare(self):
        cs = cases_from("same -- x\ndiff -- x\nempty -- x\nsig -- x\n")
        lin = {"same": {"out": ["a"], "status": "exit 0"},
               "diff": {"out": ["a", "b"], "status": "exit 0"},
               "empty": {"out": [], "status": "exit 0"},
               "sig": {"out": ["a"], "status": "signal SIGABRT"}}
        kid = {"same": {"out": ["a"], "status": "exit 0", "notes": []},
               "diff": {"out": ["a", "c"], "status": "exit 0", "notes": ["posix: note"]},
               "empty": {"out": [], "status": "exit 0", "notes": []},
               "sig": {"out": ["a"], "status": "exit 134", "notes": []}}
        with redirect_stdout(io.StringIO()) as out:
            self.assertEqual(pd.compare(cs, lin, kid), (1, 3))
        text = out.getvalue()
        self.assertIn("ok same", text)
        self.assertIn("FAIL diff: output differs", text)
        self.assertIn("-b", text)
        self.assertIn("+c", text)
        self.assertIn("runtime said: posix: note", text)
        self.assertIn("FAIL empty: no Linux output", text)
        self.assertIn("FAIL sig: ended with exit 134 on Kide, signal SIGABRT on Linux", text)

    def test_scenario_shape(self):
        cs = cases_from("one stdin=words.txt ram=16M -- busybox cat\n"
                        "two data=words.txt,numbers.txt -- busybox sh -c 'echo \"x\"'\n")
        with tempfile.TemporaryDirectory() as d:
            path, mods = pd.kide_scenario(cs, d, d)
            with open(path) as f:
                y = f.read()
            self.assertTrue(os.path.isfile(os.path.join(mods, "words.txt")))
        self.assertIn("    - name: one\n      ram: 16M\n", y)
        self.assertIn('        args: ["busybox", "cat"]\n', y)
        self.assertIn('        stdin: "rom:words.txt"\n', y)
        self.assertIn("          - {path: /data, type: rom, modules: [words.txt]}\n", y)
        self.assertIn('        args: ["busybox", "sh", "-c", "echo \\"x\\""]\n', y)
        self.assertIn("modules: [words.txt, numbers.txt]}", y)
        self.assertIn("restart: {policy: never}", y)


class Robust(unittest.TestCase):
    """Random and mangled input (a seeded fuzz): the parsers answer with a
    result or a CaseError naming the line, never another exception."""

    PIECES = ["[init] child a: ", "[init] report: child a: ", "exited ", "with code ",
              "faulted: ", "faulted (", "signal ", "SIGSEGV", "99999999999999999999", "@case a ",
              "begin", "end", "@| ", "@status ", "exit ", "@error ", "@start_ns ", "-1", "x",
              "\r", "\n", " ", "--", "=", "'", '"', ",", "data=", "expect=", "env=", "ram=",
              "a", "\x00", "\u00e4", "kide: panic", "[a] ", "[a]"]

    def mangled(self, rnd, n):
        return "".join(rnd.choice(self.PIECES) for _ in range(rnd.randrange(n)))

    def test_log_parsers(self):
        import random
        rnd = random.Random(16)
        cs = cases_from("a -- x\n")
        for _ in range(3000):
            text = self.mangled(rnd, 40)
            pd.parse_linux_log(text)
            lines = text.split("\n")
            pd.parse_kide_log(lines, cs)
            pd.kide_ended(["a"])(lines)
            for l in lines:
                pd.child_end(l, "a")

    def test_case_parser(self):
        import random
        rnd = random.Random(61)
        for _ in range(1500):
            try:
                cases_from(self.mangled(rnd, 20) + "\n")
            except pd.CaseError:
                pass


if __name__ == "__main__":
    unittest.main(verbosity=2)
