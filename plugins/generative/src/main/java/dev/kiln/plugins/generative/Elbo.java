package dev.kiln.plugins.generative;

import dev.kiln.api.nn.ForwardContext;
import dev.kiln.api.nn.Layer;
import dev.kiln.api.nn.Loss;
import dev.kiln.api.tensor.Tensor;

/**
 * The negative evidence lower bound of a VAE (Kingma &amp; Welling, 2014, arXiv:1312.6114) for one batch, in nats per
 * example, with a one-sample reparameterised estimate of the reconstruction term:
 * <pre>
 * (μ, log σ²) = split(encoder(x));   z = μ + exp(½ log σ²) ⊙ ε,  ε ~ N(0, I)
 * reconstruction = loss(decoder(z), x) / N + constant      (loss summed over pixels: −log p(x|z))
 * KL = −½ Σ (1 + log σ² − μ² − exp(log σ²)) / N              (KL(q(z|x) ‖ N(0, I)), closed form)
 * −ELBO = reconstruction + KL
 * </pre>
 * For a Bernoulli decoder the loss is {@code bce_with_logits} summed; for a Gaussian one with unit variance it is
 * {@code mse} with {@code half: true} summed, and {@code constant} = D/2 · log 2π.
 */
record Elbo(Tensor negElbo, Tensor reconstruction, Tensor kl, Tensor mean) {

    /**
     * @param encoded  encoder output {@code (N, 2L)}: μ then log σ²
     * @param epsilon  standard normal noise {@code (N, L)}
     * @param constant added per example to the reconstruction term (0 for Bernoulli)
     */
    static Elbo of(Tensor encoded, Tensor epsilon, Layer decoder, Loss loss, Tensor x, double constant, ForwardContext c) {
        int n = x.size(0);
        int latent = epsilon.size(1);
        if (encoded.dim() != 2 || encoded.size(1) != 2 * latent) {
            throw new IllegalStateException("the vae's encoder must output (N, 2 × latent_dim) = (N, " + 2 * latent
                    + ") holding the mean then the log-variance; it gave " + java.util.Arrays.toString(encoded.shape()));
        }
        Tensor mu = encoded.slice(1, 0, latent, 1);
        Tensor logVar = encoded.slice(1, latent, 2 * latent, 1);
        Tensor z = mu.add(logVar.mul(0.5).exp().mul(epsilon));
        Tensor out = decoder.forward(z, c);
        Tensor reconstruction = loss.compute(out.reshape(x.shape()), x).div(n).add(constant);
        Tensor kl = logVar.add(1).sub(mu.mul(mu)).sub(logVar.exp()).sum().mul(-0.5 / n);
        return new Elbo(reconstruction.add(kl), reconstruction, kl, mu);
    }
}
