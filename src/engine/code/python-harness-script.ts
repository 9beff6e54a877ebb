// The Python test harness that runs inside the sandbox. It loads the solution as a module, runs each
// test in turn (expanding a HumanEval `check` into one test per assert, a test file into its test
// functions), records the solution lines every test executes (sys.settrace, 'line' events of frames
// whose code is the solution's), and writes one JSON line per event to fd 3. The user's prints go to
// a capped buffer per test. Limits it sets on itself: address space, file size, no core files, and an
// audit hook that refuses to start processes (Python cannot undo an audit hook), because as root the
// process-count limit is not enforced by the kernel.
export const PYTHON_HARNESS_SCRIPT = String.raw`
import ast, contextlib, doctest, io, json, os, signal, sys, time, traceback, types

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

def on_alarm(signum, frame):
    raise TestTimeout()
signal.signal(signal.SIGALRM, on_alarm)

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
started = time.time()
try:
    with open(SOLUTION, encoding='utf-8') as f:
        code = compile(f.read(), SOLUTION, 'exec')
    signal.setitimer(signal.ITIMER_REAL, REQUEST['perTestSeconds'])
    with contextlib.redirect_stdout(load_output), contextlib.redirect_stderr(load_output):
        exec(code, module.__dict__)
except TestTimeout:
    load_error = 'timeout: loading the solution took longer than %.1f s' % REQUEST['perTestSeconds']
except BaseException as error:
    load_error = short_traceback(error)
finally:
    signal.setitimer(signal.ITIMER_REAL, 0)
emit({'event': 'load', 'ok': load_error is None, 'error': load_error, 'output': load_output.getvalue()})

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
    if entry and checks:
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

def run_one(kind):
    what = kind[0]
    if what == 'error':
        raise RuntimeError(kind[1])
    if what == 'doctest':
        globs = dict(module.__dict__)
        parsed = doctest.DocTestParser().get_doctest(kind[1], globs, module_name, None, 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        report = io.StringIO()
        result = runner.run(parsed, out=report.write, clear_globs=False)
        if result.failed:
            raise AssertionError(report.getvalue().strip())
        return
    if what == 'check':
        tree, entry = kind[1], kind[2]
        globs = dict(module.__dict__)
        exec(compile(tree, '<test>', 'exec'), globs)
        if entry not in module.__dict__:
            raise NameError('the solution defines no %r' % entry)
        globs['check'](module.__dict__[entry])
        return
    if what == 'function':
        tree, name = kind[1], kind[2]
        globs = {'__name__': 'stepcritic_tests'}
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
        globs = dict(module.__dict__)
        if as_main:
            globs['__name__'] = '__main__'
        exec(compile(tree, '<test>', 'exec'), globs)
        return

deadline = started + REQUEST['totalSeconds']
if load_error is None:
    for index, test in enumerate(REQUEST['tests']):
        for test_id, name, kind in expand(index, test):
            remaining = deadline - time.time()
            if remaining <= 0.05:
                emit({'event': 'test', 'id': test_id, 'index': index, 'name': name, 'status': 'skipped', 'output': 'not run: the time limit was used up', 'lines': [], 'ms': 0})
                continue
            limit = min(REQUEST['perTestSeconds'], remaining)
            captured = CappedText()
            covered.clear()
            status = 'passed'
            detail = ''
            t0 = time.time()
            try:
                if TRACE:
                    sys.settrace(global_tracer)
                signal.setitimer(signal.ITIMER_REAL, limit)
                with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
                    run_one(kind)
            except TestTimeout:
                status = 'timeout'
                detail = 'timed out after %.1f s' % limit
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
                signal.setitimer(signal.ITIMER_REAL, 0)
                sys.settrace(None)
            output = captured.getvalue()
            text = (output + ('\n' if output and detail else '') + detail)[:OUTPUT_CAP]
            emit({'event': 'test', 'id': test_id, 'index': index, 'name': name, 'status': status, 'output': text,
                  'lines': sorted(covered), 'ms': int((time.time() - t0) * 1000)})
emit({'event': 'done'})
`;
