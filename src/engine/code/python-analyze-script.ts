// The Python side of parsing a Python solution: Python's own `ast` and `tokenize`, run by the user's
// interpreter, so that what counts as a statement (and as a syntax error) is exactly what Python says.
// It prints one JSON object; `python-analyze.ts` validates it with zod. Positions are 0-based lines and
// UTF-16 columns (LSP's), converted here because only Python knows its own byte/character offsets.
export const PYTHON_ANALYZE_SCRIPT = String.raw`
import ast, io, json, re, sys, tokenize, doctest, textwrap

def main():
    source = sys.stdin.read()
    lines = re.split(r'\r\n|\r|\n', source)

    def u16(line, chars):
        text = lines[line] if 0 <= line < len(lines) else ''
        return len(text[:chars].encode('utf-16-le')) // 2

    def byte_to_u16(line, nbytes):
        text = lines[line] if 0 <= line < len(lines) else ''
        prefix = text.encode('utf-8')[:nbytes].decode('utf-8', 'replace')
        return len(prefix.encode('utf-16-le')) // 2

    def line_end(line):
        return u16(line, len(lines[line]) if 0 <= line < len(lines) else 0)

    tokens = []
    token_error = None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            tokens.append(tok)
    except (tokenize.TokenError, SyntaxError) as error:
        token_error = str(error)

    markers = []
    leading_comments = []
    seen_code = False
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            body = tok.string[1:].strip()
            line = tok.start[0] - 1
            if re.match(r'(?i)step\b', body):
                markers.append({'label': body, 'line': line, 'col': u16(line, tok.start[1])})
            elif not seen_code:
                leading_comments.append((line, tok.start[1], body))
        elif tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.ENCODING, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
            seen_code = True

    def header_end(start):
        # The colon that ends a compound statement's header: first ':' at bracket depth 0 after start,
        # skipping the ones that belong to a lambda.
        depth = 0
        lambdas = 0
        for tok in tokens:
            if tok.start < start:
                continue
            if tok.type == tokenize.OP:
                if tok.string in '([{':
                    depth += 1
                elif tok.string in ')]}':
                    depth -= 1
                elif tok.string == ':' and depth == 0:
                    if lambdas > 0:
                        lambdas -= 1
                    else:
                        return (tok.end[0] - 1, tok.end[1])
            elif tok.type == tokenize.NAME and tok.string == 'lambda' and depth == 0:
                lambdas += 1
        return None

    def keyword_after(word, after):
        for tok in tokens:
            if tok.type == tokenize.NAME and tok.string == word and tok.start >= after:
                return tok.start
        return None

    def keyword_before(word, before):
        found = None
        for tok in tokens:
            if tok.start >= before:
                break
            if tok.type == tokenize.NAME and tok.string == word:
                found = tok.start
        return found

    pieces = []
    tests = []

    def add_piece(start_line, start_chars, end_line, end_u16, depth, kind):
        pieces.append({'start': [start_line, u16(start_line, start_chars)], 'end': [end_line, end_u16], 'depth': depth, 'kind': kind})

    def node_start(node):
        return (node.lineno - 1, byte_to_u16(node.lineno - 1, node.col_offset))

    def node_end(node):
        return (node.end_lineno - 1, byte_to_u16(node.end_lineno - 1, node.end_col_offset))

    def add_node(node, depth, kind):
        s = node_start(node)
        e = node_end(node)
        pieces.append({'start': list(s), 'end': list(e), 'depth': depth, 'kind': kind})

    def add_header_at(tok_start, depth):
        # tok_start: tokenize (row 1-based, col in code points)
        end = header_end(tok_start)
        line = tok_start[0] - 1
        if end is None:
            end_pos = [line, line_end(line)]
        else:
            end_pos = [end[0], u16(end[0], end[1])]
        pieces.append({'start': [line, u16(line, tok_start[1])], 'end': end_pos, 'depth': depth, 'kind': 'header'})

    def start_tok(node):
        # tokenize position of a node's first character
        line = node.lineno - 1
        chars = len(lines[line].encode('utf-8')[:node.col_offset].decode('utf-8', 'replace'))
        return (node.lineno, chars)

    def end_tok(node):
        line = node.end_lineno - 1
        chars = len(lines[line].encode('utf-8')[:node.end_col_offset].decode('utf-8', 'replace'))
        return (node.end_lineno, chars)

    def is_string_stmt(node):
        return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)

    def add_doctests(node, where):
        text = node.value.value
        try:
            examples = doctest.DocTestParser().get_examples(text)
        except ValueError:
            return
        for n, example in enumerate(examples):
            line = node.lineno - 1 + example.lineno
            if line >= len(lines):
                line = node.lineno - 1
            indent = len(lines[line]) - len(lines[line].lstrip())
            code = ''.join('>>> ' + l + '\n' if i == 0 else '... ' + l + '\n' for i, l in enumerate(example.source.rstrip('\n').split('\n')))
            code += example.want
            tests.append({'origin': 'doctest', 'name': 'doctest %s #%d: %s' % (where, n + 1, example.source.strip().split('\n')[0][:60]),
                          'code': code, 'start': [line, u16(line, indent)], 'end': [line, line_end(line)]})

    def clause(word, after_node, depth):
        pos = keyword_after(word, end_tok(after_node))
        if pos is not None:
            add_header_at(pos, depth)

    def walk(body, depth, owner):
        for i, node in enumerate(body):
            if i == 0 and owner is not None and is_string_stmt(node):
                add_doctests(node, owner)
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for deco in node.decorator_list:
                    # A decorator is indented like its def; its node starts after the '@'.
                    pieces.append({'start': [deco.lineno - 1, node_start(node)[1]], 'end': list(node_end(deco)), 'depth': depth, 'kind': 'simple'})
                add_header_at(start_tok(node), depth)
                walk(node.body, depth + 1, node.name)
            elif isinstance(node, (ast.If,)):
                add_header_at(start_tok(node), depth)
                walk(node.body, depth + 1, None)
                if node.orelse:
                    first = node.orelse[0]
                    is_elif = isinstance(first, ast.If) and len(node.orelse) == 1 and lines[first.lineno - 1].encode('utf-8')[first.col_offset:].startswith(b'elif')
                    if is_elif:
                        walk(node.orelse, depth, None)
                    else:
                        clause('else', node.body[-1], depth)
                        walk(node.orelse, depth + 1, None)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
                add_header_at(start_tok(node), depth)
                walk(node.body, depth + 1, None)
                if node.orelse:
                    clause('else', node.body[-1], depth)
                    walk(node.orelse, depth + 1, None)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                add_header_at(start_tok(node), depth)
                walk(node.body, depth + 1, None)
            elif isinstance(node, ast.Try) or type(node).__name__ == 'TryStar':
                add_header_at(start_tok(node), depth)
                walk(node.body, depth + 1, None)
                last = node.body[-1]
                for handler in node.handlers:
                    add_header_at(start_tok(handler), depth)
                    walk(handler.body, depth + 1, None)
                    last = handler.body[-1]
                if node.orelse:
                    clause('else', last, depth)
                    walk(node.orelse, depth + 1, None)
                    last = node.orelse[-1]
                if node.finalbody:
                    clause('finally', last, depth)
                    walk(node.finalbody, depth + 1, None)
            elif type(node).__name__ == 'Match':
                add_header_at(start_tok(node), depth)
                for case in node.cases:
                    pos = keyword_before('case', start_tok(case.pattern))
                    if pos is not None:
                        add_header_at(pos, depth + 1)
                    walk(case.body, depth + 2, None)
            else:
                add_node(node, depth, 'simple')

    problem = None
    syntax_error = None
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        tree = None
        line = max((error.lineno or 1) - 1, 0)
        if line >= len(lines):
            line = len(lines) - 1
        col = max((error.offset or 1) - 1, 0)
        end_line = (error.end_lineno or error.lineno or 1) - 1
        end_col = (error.end_offset or 0) - 1
        if end_line < line or end_line >= len(lines) or (end_line == line and end_col <= col):
            end_line, end_col = line, len(lines[line])
        syntax_error = {'message': '%s: %s' % (type(error).__name__, error.msg), 'line': line + 1,
                        'start': [line, u16(line, col)], 'end': [end_line, u16(end_line, end_col)]}

    if tree is not None:
        body = list(tree.body)
        if body and is_string_stmt(body[0]):
            doc = body[0]
            problem = {'text': doc.value.value, 'start': list(node_start(doc)), 'end': list(node_end(doc))}
            add_doctests(doc, 'module')
            body = body[1:]
        top = []
        for node in body:
            if isinstance(node, ast.Assert):
                s, e = node_start(node), node_end(node)
                tests.append({'origin': 'assert', 'name': 'line %d: %s' % (node.lineno, ast.get_source_segment(source, node)[:80]),
                              'code': ast.get_source_segment(source, node), 'start': list(s), 'end': list(e)})
            elif (isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and isinstance(node.test.left, ast.Name)
                  and node.test.left.id == '__name__' and len(node.test.comparators) == 1
                  and isinstance(node.test.comparators[0], ast.Constant) and node.test.comparators[0].value == '__main__'):
                first, last = node.body[0], node.body[-1]
                block = '\n'.join(lines[first.lineno - 1:last.end_lineno])
                tests.append({'origin': 'main', 'name': 'if __name__ == "__main__" (line %d)' % node.lineno,
                              'code': textwrap.dedent(block), 'start': list(node_start(node)), 'end': list(node_end(node))})
            elif is_string_stmt(node):
                # A module-level string that is not the docstring is documentation (QuixBugs keeps the task
                # in a trailing one): the problem when there is no docstring, never a step.
                if problem is None and node is body[-1]:
                    problem = {'text': node.value.value, 'start': list(node_start(node)), 'end': list(node_end(node))}
                add_doctests(node, 'module')
            else:
                top.append(node)
        walk(top, 0, None)
        if problem is None and leading_comments:
            block = []
            for (line, col, text) in leading_comments:
                if block and line != block[-1][0] + 1:
                    break
                if line == 0 and text.startswith('!'):
                    continue
                if re.match(r'-\*-.*coding', text):
                    continue
                block.append((line, col, text))
            if block:
                problem = {'text': '\n'.join(t for _, _, t in block), 'start': [block[0][0], u16(block[0][0], block[0][1])],
                           'end': [block[-1][0], line_end(block[-1][0])]}
        if problem is None:
            for node in top:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body and is_string_stmt(node.body[0]):
                    doc = node.body[0]
                    problem = {'text': doc.value.value, 'start': list(node_start(doc)), 'end': list(node_end(doc))}
                    break
    else:
        # The file does not parse: fall back to Python's logical lines (tokenize knows about brackets
        # and continuations), then to physical lines after the point where even tokenize gave up.
        covered_until = 0
        current = []
        for tok in tokens:
            if tok.type in (tokenize.NEWLINE,):
                if current:
                    first, last = current[0], current[-1]
                    if not (len(current) == 1 and first.type == tokenize.STRING and problem is None and not pieces):
                        pieces.append({'start': [first.start[0] - 1, u16(first.start[0] - 1, first.start[1])],
                                       'end': [last.end[0] - 1, u16(last.end[0] - 1, last.end[1])], 'depth': 0, 'kind': 'simple'})
                    else:
                        try:
                            problem = {'text': ast.literal_eval(first.string), 'start': [first.start[0] - 1, u16(first.start[0] - 1, first.start[1])],
                                       'end': [last.end[0] - 1, u16(last.end[0] - 1, last.end[1])]}
                        except Exception:
                            pass
                    covered_until = last.end[0]
                current = []
            elif tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER):
                continue
            else:
                current.append(tok)
        if token_error is not None or current:
            for line in range(covered_until, len(lines)):
                text = lines[line]
                stripped = text.strip()
                if not stripped or stripped.startswith('#'):
                    continue
                indent = len(text) - len(text.lstrip())
                pieces.append({'start': [line, u16(line, indent)], 'end': [line, line_end(line)], 'depth': 0, 'kind': 'simple'})

    pieces.sort(key=lambda p: (p['start'][0], p['start'][1]))
    json.dump({'pieces': pieces, 'markers': markers, 'tests': tests, 'problem': problem, 'syntaxError': syntax_error,
               'python': sys.version.split()[0]}, sys.stdout)

main()
`;
