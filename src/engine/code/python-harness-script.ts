// The Python test harness that runs inside the sandbox. It loads the solution as a module, runs each
// test in turn (expanding a HumanEval `check` into one test per assert, a test file into its test
// functions), records the solution lines every test executes (sys.settrace, 'line' events of frames
// whose code is the solution's), and writes one JSON line per event to fd 3. The user's prints go to
// a capped buffer per test. Limits it sets on itself: address space, file size, no core files, and an
// audit hook that refuses to start processes (Python cannot undo an audit hook), because as root the
// process-count limit is not enforced by the kernel.
export const PYTHON_HARNESS_SCRIPT = String.raw`
import ast, contextlib, doctest, io, json, math, os, signal, sys, time, traceback, types

REQUEST = json.load(open(sys.argv[1], encoding='utf-8'))
OUT = os.fdopen(3, 'w', encoding='utf-8', buffering=1)
OUTPUT_CAP = REQUEST.get('outputCap', 4000)

def emit(obj):
    OUT.write(json.dumps(obj) + '\n')
    OUT.flush()

try:
    import resource
    mem = REQUEST.get('memoryBytes')
    if mem:
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    fsize = REQUEST.get('fileSizeBytes')
    if fsize:
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    nproc = REQUEST.get('maxProcesses')
    if nproc:
        try:
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        except (ValueError, OSError):
            pass
except ImportError:
    pass

BLOCKED_EVENTS = {'os.fork', 'os.forkpty', 'os.system', 'os.exec', 'os.posix_spawn', 'os.spawn',
                  'subprocess.Popen', 'pty.spawn', 'os.kill', 'os.killpg', 'signal.pthread_kill'}
BLOCKED_SYMBOLS = {'fork', 'vfork', 'clone', 'clone3', 'execve', 'execv', 'execvp', 'system', 'posix_spawn', 'posix_spawnp', 'kill', 'killpg', 'setsid', 'setpgid'}

def audit(event, args):
    if event in BLOCKED_EVENTS:
        raise PermissionError('stepcritic sandbox: %s is not allowed while tests run' % event)
    if event == 'ctypes.dlsym' and len(args) > 1 and str(args[1]) in BLOCKED_SYMBOLS:
        raise PermissionError('stepcritic sandbox: calling %s through ctypes is not allowed' % args[1])
sys.addaudithook(audit)

class TestTimeout(BaseException):
    pass

ALARM = {'fired': False, 'armed': False}

def on_alarm(signum, frame):
    # Python runs a signal's handler at its next instruction, which can be after the timer was
    # disarmed: such a late alarm is for a test that already ended, and must not stop what follows.
    if not ALARM['armed']:
        return
    ALARM['fired'] = True
    raise TestTimeout()
signal.signal(signal.SIGALRM, on_alarm)

def arm(seconds):
    ALARM['armed'] = True
    signal.setitimer(signal.ITIMER_REAL, seconds)

def disarm():
    ALARM['armed'] = False
    signal.setitimer(signal.ITIMER_REAL, 0)

class CappedText(io.StringIO):
    def write(self, s):
        if self.tell() < OUTPUT_CAP:
            return super().write(s[:OUTPUT_CAP - self.tell() + 1])
        return len(s)

SOLUTION = os.path.abspath(REQUEST['solutionFile'])
TRACE = REQUEST.get('trace', True)
covered = set()

def local_tracer(frame, event, arg):
    if event == 'line':
        covered.add(frame.f_lineno)
    return local_tracer

def global_tracer(frame, event, arg):
    if frame.f_code.co_filename == SOLUTION:
        return local_tracer
    return None

sys.path.insert(0, os.path.dirname(SOLUTION))
sys.stdin = io.StringIO('')

def short_traceback(error):
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename != __file__]
    lines = traceback.format_list(frames[-6:]) + traceback.format_exception_only(type(error), error)
    return ''.join(lines)

module_name = REQUEST.get('moduleName') or 'solution'
module = types.ModuleType(module_name)
module.__file__ = SOLUTION
sys.modules[module_name] = module
load_output = CappedText()
load_error = None
inert = []
started = time.time()

def u16_col(line, col):
    # ast columns are UTF-8 byte offsets; the steps' are UTF-16 (LSP's).
    text = SOURCE_LINES[line - 1] if 0 < line <= len(SOURCE_LINES) else ''
    return len(text.encode('utf-8')[:col].decode('utf-8', 'replace').encode('utf-16-le')) // 2

def inert_spans(tree):
    # Statements that compute nothing a test could find wrong (an import, a docstring or other bare
    # constant, pass, global, the header of a try or of a def/class without defaults or decorators):
    # every test runs them, so their spectra tie with the real bug's and must not outrank it.
    # [first line, column, last line, column] (1-based lines, UTF-16 columns); a header ends where its body starts.
    spans = []
    for node in ast.walk(tree):
        header = None
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Pass, ast.Global, ast.Nonlocal)) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            header = (node.end_lineno, node.end_col_offset)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Try)) and node.body:
            plain = not getattr(node, 'decorator_list', None)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                plain = plain and not node.args.defaults and not any(node.args.kw_defaults)
            if plain:
                header = (node.body[0].lineno, node.body[0].col_offset)
        if header:
            spans.append([node.lineno, u16_col(node.lineno, node.col_offset), header[0], u16_col(header[0], header[1])])
    return spans

try:
    with open(SOLUTION, encoding='utf-8') as f:
        source_text = f.read()
    SOURCE_LINES = source_text.split('\n')
    solution_tree = ast.parse(source_text, SOLUTION)
    inert = inert_spans(solution_tree)
    code = compile(solution_tree, SOLUTION, 'exec')
    arm(REQUEST['perTestSeconds'])
    with contextlib.redirect_stdout(load_output), contextlib.redirect_stderr(load_output):
        exec(code, module.__dict__)
except TestTimeout:
    load_error = 'timeout: loading the solution took longer than %.1f s' % REQUEST['perTestSeconds']
except BaseException as error:
    load_error = short_traceback(error)
finally:
    disarm()
emit({'event': 'load', 'ok': load_error is None, 'error': load_error, 'output': load_output.getvalue(), 'inert': inert})

def has_assert(node):
    return any(isinstance(n, ast.Assert) for n in ast.walk(node))

def expand(index, test):
    """One test as the user wrote it, or its parts: check() asserts, test functions."""
    code = test['code']
    origin = test['origin']
    entry = test.get('entryPoint')
    if origin == 'doctest':
        return [(str(index), test['name'], ('doctest', code))]
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        return [(str(index), test['name'], ('error', 'the test does not parse: %s' % error))]
    checks = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == 'check']
    if not entry and checks:
        # A test file kept beside the solution, HumanEval style: def check(candidate) … check(name).
        calls = [n.value for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)
                 and isinstance(n.value.func, ast.Name) and n.value.func.id == 'check'
                 and len(n.value.args) == 1 and isinstance(n.value.args[0], ast.Name)]
        if calls:
            entry = calls[-1].args[0].id
    if entry and checks:
        # HumanEvalFix's test text ends with its own check(<entry point>) call: the harness makes that call.
        tree.body = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)
                                                  and isinstance(n.value.func, ast.Name) and n.value.func.id == 'check')]
        check = checks[-1]
        units = []
        setup = []
        for stmt in check.body:
            if has_assert(stmt):
                units.append((list(setup), stmt))
            else:
                setup.append(stmt)
        parts = []
        for n, (prefix, stmt) in enumerate(units):
            fn = ast.FunctionDef(name='check', args=check.args, body=prefix + [stmt], decorator_list=[], returns=None, type_comment=None, type_params=[]) if sys.version_info >= (3, 12) else ast.FunctionDef(name='check', args=check.args, body=prefix + [stmt], decorator_list=[], returns=None, type_comment=None)
            one = ast.Module(body=[s for s in tree.body if s is not check] + [fn], type_ignores=[])
            ast.fix_missing_locations(one)
            label = (ast.get_source_segment(code, stmt) or '').strip().split('\n')[0][:80]
            parts.append(('%d.%d' % (index, n), '%s #%d: %s' % (test['name'], n + 1, label), ('check', one, entry)))
        if not parts:
            parts.append((str(index), test['name'], ('check', tree, entry)))
        return parts
    names = []
    for n in tree.body:
        if isinstance(n, ast.FunctionDef) and n.name.startswith('test') and not n.args.args:
            names.append(n.name)
        elif isinstance(n, ast.ClassDef) and n.name.startswith('Test'):
            for m in n.body:
                if isinstance(m, ast.FunctionDef) and m.name.startswith('test'):
                    names.append(n.name + '.' + m.name)
    if names and origin in ('sibling', 'dataset'):
        return [('%d.%d' % (index, k), '%s: %s' % (test['name'], name), ('function', tree, name)) for k, name in enumerate(names)]
    return [(str(index), test['name'], ('script', tree, origin == 'main'))]

def same_value(a, b):
    # Python literals compared by value: '21' and "21" alike, 8 and 8.0 alike; True is not 1.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or (isinstance(a, float) or isinstance(b, float)) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    return a == b

class ValueChecker(doctest.OutputChecker):
    def check_output(self, want, got, optionflags):
        if doctest.OutputChecker.check_output(self, want, got, optionflags):
            return True
        try:
            return same_value(ast.literal_eval(want.strip()), ast.literal_eval(got.strip()))
        except Exception:
            return False

def is_comparison(source):
    try:
        return isinstance(ast.parse(source.strip(), mode='eval').body, ast.Compare)
    except SyntaxError:
        return False

def run_one(kind, ns):
    what = kind[0]
    if what == 'error':
        raise RuntimeError(kind[1])
    if what == 'doctest':
        globs = dict(ns)
        parsed = doctest.DocTestParser().get_doctest(kind[1], globs, module_name, None, 0)
        for example in parsed.examples:
            if not example.want and is_comparison(example.source):
                # '>>> f(2) == 4' with nothing under it is written as an assertion (HumanEval's prompts
                # have them): it holds when it prints True, not when it prints nothing.
                example.want = 'True\n'
        runner = doctest.DocTestRunner(checker=ValueChecker(), optionflags=doctest.ELLIPSIS)
        report = io.StringIO()
        result = runner.run(parsed, out=report.write, clear_globs=False)
        if result.failed:
            raise AssertionError(report.getvalue().strip())
        return
    if what == 'check':
        tree, entry = kind[1], kind[2]
        globs = dict(ns)
        exec(compile(tree, '<test>', 'exec'), globs)
        if entry not in ns:
            raise NameError('the solution defines no %r' % entry)
        globs['check'](ns[entry])
        return
    if what == 'function':
        tree, name = kind[1], kind[2]
        globs = dict(ns)
        globs['__name__'] = 'stepcritic_tests'
        exec(compile(tree, '<tests>', 'exec'), globs)
        if '.' in name:
            cls, method = name.split('.', 1)
            import unittest
            case = globs[cls](method)
            outcome = unittest.TestResult()
            case.run(outcome)
            problems = outcome.failures + outcome.errors
            if problems:
                raise AssertionError(problems[0][1])
            return
        globs[name]()
        return
    if what == 'script':
        tree, as_main = kind[1], kind[2]
        globs = dict(ns)
        if as_main:
            globs['__name__'] = '__main__'
        exec(compile(tree, '<test>', 'exec'), globs)
        return

deadline = started + REQUEST['totalSeconds']
UNITS = []
hung = False
failed_yet = False
LOCALIZATION_SHARE = 0.25
slowest_finished = 0.0

# ---- mutation analysis -------------------------------------------------------------------------
# When every test runs the faulty line, line spectra cannot tell it from its neighbours. Mutants can:
# a small change to the faulty statement (an operator, a constant, a variable, a deleted operand) is
# far more likely than a change elsewhere to make failing tests pass (MUSE, Metallaxis-FL). Each
# mutant runs the failing tests first; only a mutant that fixes one is run against the passing tests.
import copy, math

# Operator replacement (AOR and ROR): the likeliest slips (tier 0), then every other operator of the
# same family (tier 1: 'x -= base' for 'x //= base' is a real slip, but most of these are nonsense
# such as 'i + 1 -> i % 1', which can make a failing test pass by chance).
ARITHMETIC = [ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow]
RELATIONAL = [ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq]
def operator_swaps(likeliest, family):
    return {op: [(0, o) for o in likeliest.get(op, [])] + [(1, o) for o in family if o is not op and o not in likeliest.get(op, [])]
            for op in family}
BIN_SWAPS = operator_swaps({ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.FloorDiv, ast.Add], ast.Div: [ast.Mult, ast.FloorDiv],
                            ast.FloorDiv: [ast.Div, ast.Mult], ast.Mod: [ast.FloorDiv], ast.Pow: [ast.Mult]}, ARITHMETIC)
BIN_SWAPS.update(operator_swaps({ast.BitXor: [ast.BitAnd], ast.BitAnd: [ast.BitOr], ast.BitOr: [ast.BitAnd]}, [ast.BitAnd, ast.BitOr, ast.BitXor]))
BIN_SWAPS.update(operator_swaps({ast.LShift: [ast.RShift], ast.RShift: [ast.LShift]}, [ast.LShift, ast.RShift]))
CMP_SWAPS = operator_swaps({ast.Lt: [ast.LtE, ast.Gt], ast.LtE: [ast.Lt, ast.GtE], ast.Gt: [ast.GtE, ast.Lt], ast.GtE: [ast.Gt, ast.LtE],
                            ast.Eq: [ast.NotEq], ast.NotEq: [ast.Eq]}, RELATIONAL)
CMP_SWAPS.update({ast.In: [(0, ast.NotIn)], ast.NotIn: [(0, ast.In)], ast.Is: [(0, ast.IsNot)], ast.IsNot: [(0, ast.Is)]})
CALL_SWAPS = {'min': 'max', 'max': 'min', 'any': 'all', 'all': 'any', 'int': 'round', 'round': 'int'}

def own_expressions(stmt):
    # The expressions a statement itself evaluates: not those of nested statements or function bodies.
    if isinstance(stmt, (ast.If, ast.While)):
        roots = [stmt.test]
    elif isinstance(stmt, (ast.For, ast.AsyncFor)):
        roots = [stmt.target, stmt.iter]
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        roots = [i.context_expr for i in stmt.items]
    elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Try)):
        roots = []
    else:
        roots = [stmt]
    out = []
    def visit(node):
        out.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.stmt, ast.Lambda, ast.FunctionDef)):
                continue
            visit(child)
    for r in roots:
        visit(r)
    return out

def scope_names(fn):
    names = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names

def mutants_for(node, names):
    # (tier, function that builds the replacement node from a copy of node). Tier 0: operator and
    # constant changes, the usual one-token bugs; tier 1: deleting an operand or a statement, adding
    # abs(), a less likely operator; tier 2: one variable for another (many mutants per site, so they
    # come last).
    out = []
    if isinstance(node, ast.BinOp):
        for tier, op in BIN_SWAPS.get(type(node.op), []):
            out.append((tier, lambda n, op=op: ast.BinOp(left=n.left, op=op(), right=n.right)))
        out.append((0, lambda n: ast.BinOp(left=n.right, op=n.op, right=n.left)))
        out.append((1, lambda n: n.left))
        out.append((1, lambda n: n.right))
        if isinstance(node.op, (ast.Sub, ast.Add)):
            out.append((1, lambda n: ast.Call(func=ast.Name(id='abs', ctx=ast.Load()), args=[n], keywords=[])))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        for tier, op in CMP_SWAPS.get(type(node.ops[0]), []):
            out.append((tier, lambda n, op=op: ast.Compare(left=n.left, ops=[op()], comparators=n.comparators)))
    elif isinstance(node, ast.BoolOp):
        other = ast.Or if isinstance(node.op, ast.And) else ast.And
        out.append((0, lambda n, other=other: ast.BoolOp(op=other(), values=n.values)))
        for k in range(len(node.values)):
            out.append((1, lambda n, k=k: n.values[1 - k] if len(n.values) == 2 else ast.BoolOp(op=n.op, values=n.values[:k] + n.values[k + 1:])))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
        out.append((0, lambda n: n.operand))
    elif isinstance(node, ast.Constant) and type(node.value) is bool:
        out.append((0, lambda n: ast.Constant(value=not n.value)))
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        out.append((0, lambda n: ast.Constant(value=n.value + 1)))
        out.append((0, lambda n: ast.Constant(value=n.value - 1)))
    elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        for other in sorted(names):
            if other != node.id:
                out.append((2, lambda n, other=other: ast.Name(id=other, ctx=ast.Load())))
    elif isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            # The call's receiver in its place (PIT's naked receiver): 'ans.sort(reverse=True)' -> 'ans'.
            out.append((1, lambda n: n.func.value))
        if isinstance(node.func, ast.Name) and node.func.id in CALL_SWAPS:
            out.append((0, lambda n: ast.Call(func=ast.Name(id=CALL_SWAPS[n.func.id], ctx=ast.Load()), args=n.args, keywords=n.keywords)))
        for k in range(len(node.args) - 1):
            if not any(isinstance(a, ast.Starred) for a in node.args[k:k + 2]):
                out.append((0, lambda n, k=k: ast.Call(func=n.func, args=n.args[:k] + [n.args[k + 1], n.args[k]] + n.args[k + 2:], keywords=n.keywords)))
    elif isinstance(node, (ast.Tuple, ast.List)) and isinstance(node.ctx, ast.Load):
        for k in range(len(node.elts) - 1):
            out.append((0, lambda n, k=k: type(n)(elts=n.elts[:k] + [n.elts[k + 1], n.elts[k]] + n.elts[k + 2:], ctx=ast.Load())))
    elif isinstance(node, (ast.If, ast.While)):
        out.append((0, lambda n: ast.If(test=ast.UnaryOp(op=ast.Not(), operand=n.test), body=n.body, orelse=n.orelse) if isinstance(n, ast.If)
                   else ast.While(test=ast.UnaryOp(op=ast.Not(), operand=n.test), body=n.body, orelse=n.orelse)))
    elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Expr)) and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
        out.append((1, lambda n: ast.Pass()))
        if isinstance(node, ast.AugAssign):
            # 'x -= 1' is a binary operator too; and the wrong variable updated ('max_depth -= 1' for 'depth -= 1').
            for tier, op in BIN_SWAPS.get(type(node.op), []):
                out.append((tier, lambda n, op=op: ast.AugAssign(target=n.target, op=op(), value=n.value)))
            if isinstance(node.target, ast.Name):
                for other in sorted(names):
                    if other != node.target.id:
                        out.append((2, lambda n, other=other: ast.AugAssign(target=ast.Name(id=other, ctx=ast.Store()), op=n.op, value=n.value)))
    if isinstance(node, ast.Constant) and type(node.value) in (bool, int):
        # Constant for scalar variable replacement (Mothra's CSR): 'while True' -> 'while queue'.
        for other in sorted(names):
            out.append((2, lambda n, other=other: ast.Name(id=other, ctx=ast.Load())))
    return out

def replace_at(tree, index, build):
    nodes = list(ast.walk(tree))
    target = nodes[index]
    for parent in nodes:
        for field, value in ast.iter_fields(parent):
            if value is target:
                new = build(target)
                setattr(parent, field, new)
                return target, new
            if isinstance(value, list):
                for k, item in enumerate(value):
                    if item is target:
                        new = build(target)
                        value[k] = new
                        return target, new
    return None, None

def describe(old, new):
    try:
        a, b = ast.unparse(old), ast.unparse(new)
    except Exception:
        return ''
    if isinstance(old, (ast.If, ast.While)):
        a, b = ast.unparse(old.test), ast.unparse(new.test)
    return '%s -> %s' % (a.split('\n')[0][:80], b.split('\n')[0][:80])

def run_status(kind, ns, seconds):
    try:
        arm(seconds)
        with contextlib.redirect_stdout(CappedText()), contextlib.redirect_stderr(CappedText()):
            run_one(kind, ns)
        return 'passed'
    except BaseException:
        return 'failed'
    finally:
        disarm()

def run_test(kind, limit):
    captured = CappedText()
    covered.clear()
    status = 'passed'
    detail = ''
    t0 = time.time()
    ALARM['fired'] = False
    try:
        arm(limit)
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            run_one(kind, module.__dict__)
    except TestTimeout:
        status = 'timeout'
    except AssertionError as error:
        status = 'failed'
        detail = short_traceback(error)
    except RecursionError as error:
        status = 'error'
        detail = 'RecursionError: %s' % error
    except MemoryError:
        status = 'error'
        detail = 'MemoryError: the memory limit was reached'
    except BaseException as error:
        status = 'error'
        detail = short_traceback(error)
    finally:
        disarm()
        sys.settrace(None)
    if ALARM['fired']:
        # doctest (or the solution's own 'except BaseException') may have caught the timeout: it is one all the same.
        status, detail = 'timeout', ''
    return status, detail, captured, t0

def mutant_outcome(code, failing, passing, limit_for, per_test):
    # (failing tests the mutant makes pass, passing tests it makes fail); (0, 0) when it does not load.
    mutant_module = types.ModuleType(module_name)
    mutant_module.__file__ = SOLUTION
    try:
        sys.modules[module_name] = mutant_module
        arm(per_test)
        with contextlib.redirect_stdout(CappedText()), contextlib.redirect_stderr(CappedText()):
            exec(code, mutant_module.__dict__)
    except BaseException:
        return 0, 0
    finally:
        disarm()
    # Most mutants fix nothing: one that fixes none of the first three failing tests is dropped
    # without trying the rest, which leaves time for more mutants; none of the first one, when the
    # failing tests hung (each try costs its time limit).
    fixed = 0
    for k, u in enumerate(failing):
        if (k >= (1 if u[2] == 'timeout' else 3) and fixed == 0) or time.time() > deadline:
            break
        if run_status(u[1], mutant_module.__dict__, limit_for(u)) == 'passed':
            fixed += 1
    broke = 0
    if fixed:
        broke = sum(1 for u in passing if time.time() > deadline or run_status(u[1], mutant_module.__dict__, limit_for(u)) != 'passed')
    return fixed, broke

AUTHORITATIVE = ('sibling', 'dataset')

def mutation_phase():
    failing = [u for u in UNITS if u[2] not in ('passed', 'skipped', 'unjudged')]
    # A mutant that fixes none of the first failing tests it runs is dropped: those are the tests that
    # say most (the authoritative ones: a docstring example may be what is wrong) and the quickest
    # (a test that hung costs its time limit on every mutant).
    failing.sort(key=lambda u: (u[5] not in AUTHORITATIVE, u[2] == 'timeout', u[4]))
    passing = [u for u in UNITS if u[2] == 'passed']
    total_failed = len(failing)
    failing_lines = set()
    for u in failing:
        failing_lines |= u[3]
    def suspicion(stmt):
        lines = range(stmt.lineno, (stmt.test.end_lineno if isinstance(stmt, (ast.If, ast.While)) else stmt.lineno) + 1)
        best = 0.0
        for line in lines:
            ef = sum(1 for u in failing if line in u[3])
            ep = sum(1 for u in passing if line in u[3])
            if ef:
                best = max(best, ef / math.sqrt(total_failed * (ef + ep)))
        return best
    with open(SOLUTION, encoding='utf-8') as f:
        tree = ast.parse(f.read())
    index_of = {id(n): k for k, n in enumerate(ast.walk(tree))}
    sites = []
    # Each statement is mutated once, with the names of the innermost function it is in (outer
    # functions come first in ast.walk, so inner ones claim their statements last).
    scope_of = {}
    for fn in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
        names = scope_names(fn)
        for n in ast.walk(fn):
            if isinstance(n, ast.stmt) and n is not fn:
                scope_of[id(n)] = names
    for stmt in [n for n in ast.walk(tree) if isinstance(n, ast.stmt)]:
        if stmt.lineno not in failing_lines:
            continue
        own = own_expressions(stmt)
        for node in own + ([stmt] if stmt not in own else []):
            for tier, build in mutants_for(node, scope_of.get(id(stmt), set())):
                sites.append((tier, -suspicion(stmt), stmt.lineno, stmt.col_offset, getattr(stmt, 'end_lineno', stmt.lineno), index_of[id(node)], build))
    # The likeliest mutants first, on the most suspicious statements first: the time limit may not
    # leave room for all of them.
    sites.sort(key=lambda site: (site[0], site[1], site[2], site[3]))
    budget_end = min(deadline - 0.3, time.time() + REQUEST.get('mutationSeconds', 4.0))
    per_test = REQUEST.get('mutantTestSeconds', 0.25)
    def limit_for(unit):
        # A mutant gets a few times what the test took (a test that hung: a tenth of a second).
        return 0.1 if unit[2] == 'timeout' else min(per_test, max(0.05, 5 * unit[4]))
    best = {}
    tried = 0
    sys.settrace(None)
    for tier, _, line, col, end_line, index, build in sites:
        if time.time() > budget_end:
            break
        mutant = copy.deepcopy(tree)
        try:
            old, new = replace_at(mutant, index, build)
            if old is None:
                continue
            ast.fix_missing_locations(mutant)
            code = compile(mutant, SOLUTION + '<mutant>', 'exec')
        except Exception:
            continue
        tried += 1
        try:
            fixed, broke = mutant_outcome(code, failing, passing, limit_for, per_test)
        except TestTimeout:
            # An alarm that arrived as a test ended (see on_alarm): this mutant is not judged.
            continue
        finally:
            sys.modules[module_name] = module
        if not fixed:
            continue
        # The share of failing tests the mutant fixes, discounted by the share of passing ones it breaks:
        # a mutant that turns every test's result around (return True -> False) says nothing.
        score = (fixed / total_failed) * (1 - broke / len(passing) if passing else 1)
        if score <= 0:
            continue
        # Per statement, not per line: 'for j in r: x *= i' is two statements, two steps.
        key = (line, col)
        held = best.get(key)
        if held is None or score > held['score']:
            # Sites run in tier order: of equal scores, the likelier kind of change is kept.
            best[key] = {'line': line, 'col': u16_col(line, col), 'endLine': end_line, 'score': score, 'fixed': fixed, 'broke': broke,
                         'change': describe(old, new), 'tier': tier, 'alike': 1}
        elif score == held['score'] and tier <= max(held['tier'], 1):
            # Other mutants of the statement as good as its best (MUSE sums over a statement's mutants);
            # variable substitutions, many per site, only when nothing else is as good.
            held['alike'] += 1
    emit({'event': 'mutation', 'tried': tried, 'sites': len(sites), 'statements': list(best.values())})

if load_error is None:
    for index, test in enumerate(REQUEST['tests']):
        for test_id, name, kind in expand(index, test):
            remaining = deadline - time.time()
            # Once a test has failed, the solution is wrong whatever the rest say; where it is wrong
            # needs the tests' lines and the mutants, which a hanging solution's retries can leave no
            # time for: a quarter of the time limit is kept for them.
            kept = LOCALIZATION_SHARE * REQUEST['totalSeconds'] if failed_yet and REQUEST.get('mutate') else 0
            if remaining <= 0.05 + kept:
                emit({'event': 'test', 'id': test_id, 'index': index, 'name': name, 'status': 'skipped', 'output': 'not run: the time limit was used up', 'lines': [], 'ms': 0})
                continue
            limit = min(REQUEST['perTestSeconds'], remaining)
            if hung:
                # A solution that hung once usually hangs again on the next input: once a test has
                # timed out, the others get ten times the slowest finished test (at least 0.2 s), so
                # that one infinite loop does not use up the time the other tests need.
                limit = min(limit, max(0.2, 10 * slowest_finished))
            status, detail, captured, t0 = run_test(kind, limit)
            retried = False
            if status == 'timeout':
                # A slow machine is not a wrong solution: once more with twice the time, when there is
                # time for it. Timing out again is a timeout; no time for the retry: not judged.
                remaining = deadline - time.time()
                if remaining >= 2 * limit:
                    status, detail, captured, t0 = run_test(kind, 2 * limit)
                    retried = True
                if status == 'timeout':
                    if retried:
                        detail = 'timed out after %.1f s, and again after %.1f s' % (limit, 2 * limit)
                    else:
                        status = 'unjudged'
                        detail = 'timed out after %.1f s; no time was left to run it again with a longer limit' % limit
            output = captured.getvalue()
            text = (output + ('\n' if output and detail else '') + detail)[:OUTPUT_CAP]
            emit({'event': 'test', 'id': test_id, 'index': index, 'name': name, 'status': status, 'output': text,
                  'lines': sorted(covered), 'ms': int((time.time() - t0) * 1000)})
            UNITS.append([test_id, kind, status, set(), time.time() - t0, test['origin']])
            if status in ('failed', 'error', 'timeout') and test['origin'] != 'doctest':
                # (A docstring example alone may be what is wrong, not the solution.)
                failed_yet = True
            if status in ('timeout', 'unjudged'):
                hung = True
            else:
                slowest_finished = max(slowest_finished, time.time() - t0)
    # Tracing slows code down several times, so the tests run untraced first (their results stand), then
    # each runs again under the tracer for its lines. A test that timed out gets a short second run
    # (0.2 s): enough to see which lines it loops through.
    if TRACE:
        for unit in UNITS:
            test_id, kind, status = unit[0], unit[1], unit[2]
            remaining = deadline - time.time()
            if status == 'skipped' or remaining <= 0.05:
                continue
            # Tracing makes code several times slower: allow for that, but not for a test that already hung.
            limit = min(REQUEST['perTestSeconds'], remaining, 0.2 if status in ('timeout', 'unjudged') else max(0.5, 20 * unit[4]))
            covered.clear()
            try:
                sys.settrace(global_tracer)
                arm(limit)
                with contextlib.redirect_stdout(CappedText()), contextlib.redirect_stderr(CappedText()):
                    run_one(kind, module.__dict__)
            except BaseException:
                pass
            finally:
                disarm()
                sys.settrace(None)
            unit[3] = set(covered)
            emit({'event': 'coverage', 'id': test_id, 'lines': sorted(covered)})
    if REQUEST.get('mutate') and any(u[2] not in ('passed', 'skipped', 'unjudged') for u in UNITS):
        try:
            mutation_phase()
        except BaseException as error:
            emit({'event': 'mutation', 'tried': 0, 'statements': [], 'error': short_traceback(error)[-500:]})
emit({'event': 'done'})
`;
