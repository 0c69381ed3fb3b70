// The MicroPython VM's loader (npm @micropython/micropython-webassembly-pyscript), as vm.ts uses it.
declare module '@micropython/micropython-webassembly-pyscript' {
  export function loadMicroPython(options: {
    heapsize?: number;
    pystack?: number;
    linebuffer?: boolean;
    stdin?: () => number | null;
    stdout?: (bytes: Uint8Array) => void;
  }): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}
