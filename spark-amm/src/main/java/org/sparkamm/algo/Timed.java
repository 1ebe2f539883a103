package org.sparkamm.algo;

/** A product (local or distributed) together with the phase breakdown of the multiply that made it. */
public final class Timed<M> {
  public final M product;
  public final Breakdown breakdown;

  public Timed(M product, Breakdown breakdown) {
    this.product = product;
    this.breakdown = breakdown;
  }
}
