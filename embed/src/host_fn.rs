//! [`HostFn`]: Rust functions Scheme can call, with their arguments and results converted.

use pscheme_vm::{Heap, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A Rust function registrable with [`Engine::register_fn`](crate::Engine::register_fn):
/// `Fn(A1, .., An) -> Result<R, E>` for up to six arguments, where each `Ai` is
/// `DeserializeOwned`, `R` is `Serialize` and `E` is `Display` (its text becomes the Scheme
/// error's message). `M` only tells the implementations apart.
pub trait HostFn<M>: Send + Sync + 'static {
    /// How many arguments it takes.
    #[doc(hidden)]
    fn arity(&self) -> usize;
    /// Converts the arguments, calls the function, converts the result.
    ///
    /// # Errors
    /// A conversion failure or the function's `Err`, as the Scheme error to raise.
    #[doc(hidden)]
    fn call(&self, heap: &mut Heap, args: &[Value]) -> Result<Value, pscheme_vm::Error>;
}

fn arg<T: DeserializeOwned>(heap: &Heap, args: &[Value], i: usize) -> Result<T, pscheme_vm::Error> {
    let v = args
        .get(i)
        .copied()
        .ok_or_else(|| pscheme_vm::Error::msg(format!("missing argument {}", i + 1)))?;
    crate::convert::host_arg(heap, v).map_err(|e| {
        pscheme_vm::Error::with_irritants(format!("argument {}: {}", i + 1, e.message()), vec![v])
    })
}

macro_rules! impl_host_fn {
    ($n:expr; $($a:ident $i:tt)*) => {
        impl<F, R, E, $($a,)*> HostFn<(R, E, $($a,)*)> for F
        where
            F: Fn($($a,)*) -> Result<R, E> + Send + Sync + 'static,
            R: Serialize,
            E: std::fmt::Display,
            $($a: DeserializeOwned,)*
        {
            fn arity(&self) -> usize {
                $n
            }

            #[allow(unused_variables)]
            fn call(&self, heap: &mut Heap, args: &[Value]) -> Result<Value, pscheme_vm::Error> {
                let result = (self)($(arg::<$a>(heap, args, $i)?,)*)
                    .map_err(|e| pscheme_vm::Error::msg(e.to_string()))?;
                crate::ser::to_value(heap, &result)
                    .map_err(|e| pscheme_vm::Error::msg(format!("result: {}", e.message())))
            }
        }
    };
}

impl_host_fn!(0;);
impl_host_fn!(1; A1 0);
impl_host_fn!(2; A1 0 A2 1);
impl_host_fn!(3; A1 0 A2 1 A3 2);
impl_host_fn!(4; A1 0 A2 1 A3 2 A4 3);
impl_host_fn!(5; A1 0 A2 1 A3 2 A4 3 A5 4);
impl_host_fn!(6; A1 0 A2 1 A3 2 A4 3 A5 4 A6 5);
