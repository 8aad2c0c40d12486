# autoencoder_classifier: the autoencoder's encoder, then flatten, dense 64 relu, dropout 0.7,
# dense 10 (the MNIST study: batch 512, 30 epochs, 85 errors in 10,000). The encoder block is
# written out here and trains from scratch; taking its trained weights from an autoencoder run
# comes with encoder reuse.
input 28x28x1

block encoder:
  conv2d 128 3x3 same relu
  batchnorm
  maxpool 2
  dropout 0.2
  conv2d 256 3x3 same relu
  batchnorm
  maxpool 2
  dropout 0.2

flatten
dense 64 relu
dropout 0.7
dense 10 softmax

train:
  loss crossentropy
  optimizer adam lr=0.001
  batch 512
  epochs 30
  validation 0.1
