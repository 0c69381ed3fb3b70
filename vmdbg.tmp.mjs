import fs from 'node:fs';
const { loadMicroPython } = await import('@micropython/micropython-webassembly-pyscript');
let out = '';
const mp = await loadMicroPython({ heapsize: 16 << 20, linebuffer: false, stdout: (b) => (out += Buffer.from(b).toString('latin1')) });
mp.FS.mkdir('/agent');
for (const f of fs.readdirSync('device-agent/micropython')) mp.FS.writeFile('/agent/' + f, fs.readFileSync('device-agent/micropython/' + f));
try {
mp.runPython(`
import sys
sys.path.insert(0, '/agent')
import script
class Link:
    def send(self, name, id_, m, tail=b''):
        sys.stdout.write('[SEND %s %r %r]\\n' % (name, m, tail))
class Agent:
    def __init__(self):
        self.link = Link()
    def step(self, w):
        pass
    def release_media(self):
        pass
a = Agent()
run = script.ScriptRun(a, 'ab.py')
r = run.execute('print("a")\\nimport time\\ntime.sleep(0.01)\\nprint("b")\\n')
run.flush()
sys.stdout.write('RESULT %r\\n' % (r,))
`);
} catch (e) { out += 'ERR ' + e.message; }
console.log(out);
