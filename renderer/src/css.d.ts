// Stylesheets are imported for their side effect (Vite bundles them); TypeScript 6 checks that
// side-effect imports resolve (noUncheckedSideEffectImports), so say what a .css module is.
declare module '*.css';
