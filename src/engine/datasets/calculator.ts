/** GSM8K calculator annotations: `<<48/2=24>>`, in GSM8K's own solutions and in the models' trained on them. */
const CALCULATOR = /<<[^<>]{0,500}>>/g;

export function removeCalculatorAnnotations(text: string): string {
  return text.replace(CALCULATOR, '');
}
